"""Chain periods and handovers: changing chain vendor with every anchored proof still verifiable."""
