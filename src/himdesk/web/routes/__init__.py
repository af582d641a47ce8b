"""One module per area; each route parses input, calls one service, renders."""
