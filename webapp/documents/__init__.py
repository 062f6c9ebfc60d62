"""« Infos/Documents »: what the commune publishes for families (short news, rules, blank forms, menus)."""
