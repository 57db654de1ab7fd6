"""``python -m nearhome`` runs the command-line interface."""

from nearhome.cli import main

main()
