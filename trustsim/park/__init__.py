"""The symbiosis model: parameters, facilities, exchanges, the submodels, agents, scenarios.

:class:`trustsim.park.model.SymbiosisPark` keeps state and the ODD schedule; each submodel of
the schedule lives in a module of its own (see ``docs/ODD.md``).
"""
