"""The game kernel: stage games, strategies, matches, tournaments, evolution and theory.

Stands on numpy and scipy alone (networkx for graph evolution): it never imports Mesa or the
park, so it can be used, tested and validated against the Axelrod library by itself.
"""
