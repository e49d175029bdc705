"""Alerts about new matches: in-app notifications, a private Atom feed, an e-mail digest."""
