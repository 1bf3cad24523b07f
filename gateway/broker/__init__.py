"""The broker: authorised queries from one department to another, with evidence."""
