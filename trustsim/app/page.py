"""The app's page: Mesa's SolaraViz around one :class:`ClassroomSession` per browser session.

Solara renders :func:`Page` once per browser session (virtual kernel), so every student gets
their own levers and park: the state lives in this component's hooks, never in module globals.
SolaraViz provides the title bar and the Controls card (Reset, play/pause, Step); the levers
join its sidebar, and the park and info tabs are laid out here (SolaraViz's draggable grid needs
a Vue 2 plugin that does not load under the Vue 3 front end of current Solara).
"""

from __future__ import annotations

import solara
from mesa.visualization import SolaraViz

from trustsim.app.components import InfoPage, LeversPanel, ManagerSeat, ParkMap, Plots, Status
from trustsim.app.session import ClassroomSession, default_levers

TITLE = "Trust in an industrial-symbiosis park"


@solara.component
def ParkTab(session: ClassroomSession):
    """The park tab: status and map on the left, plots and the manager's seat on the right."""
    Status(session)
    with solara.Columns([1, 1]):
        ParkMap(session)
        with solara.Column():
            Plots(session)
            ManagerSeat(session)


@solara.component
def Page():
    """The whole app for one browser session."""
    first_levers = solara.use_memo(default_levers, [])
    levers = solara.use_reactive(first_levers)
    first_session = solara.use_memo(lambda: ClassroomSession(first_levers), [])
    model = solara.use_reactive(first_session)
    tab = solara.use_reactive(0)
    solara.Title(TITLE)
    SolaraViz(model, components=[], model_params={"levers": levers}, name=TITLE, play_interval=300)
    with solara.Sidebar():
        LeversPanel(levers, model)
    with solara.Column(style={"width": "100%"}):
        with solara.v.Tabs(v_model=tab.value, on_v_model=tab.set):
            solara.v.Tab(children=["Park"])
            solara.v.Tab(children=["Info"])
        if tab.value == 0:
            ParkTab(model.value)
        else:
            InfoPage(model.value)
