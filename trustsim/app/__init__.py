"""The classroom web app (Solara, Mesa's SolaraViz): ``trustsim app`` serves ``page.Page``."""
