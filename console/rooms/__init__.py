"""The console's rooms, one blueprint each: auth, review, opinion, patrols, search, reports,
api, evidence."""
