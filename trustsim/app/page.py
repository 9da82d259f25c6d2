"""The app's routes, served by ``trustsim app``: ``/`` one's own park, ``/teacher``, ``/join``.

``/`` (:func:`~trustsim.app.solo.SoloPage`) gives every browser session its own park. The
shared park of a class (HubNet style) is ``/teacher`` (open a room, run the clock) and
``/join?room=CODE`` (take a manager and play it); see :mod:`trustsim.app.classroom`.
"""

from __future__ import annotations

import solara

from trustsim.app.classroom import JoinPage, TeacherPage
from trustsim.app.solo import SoloPage


@solara.component
def Layout(children=()):
    """A bare layout for every route: each page lays itself out (no navigation bar)."""
    return solara.Column(style={"padding": "10px", "width": "100%"}, children=list(children))


routes = [
    solara.Route(path="/", component=SoloPage, label="Park", layout=Layout),
    solara.Route(path="teacher", component=TeacherPage, label="Teacher"),
    solara.Route(path="join", component=JoinPage, label="Join"),
]
