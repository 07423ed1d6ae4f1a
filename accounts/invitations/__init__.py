"""People join by invitation: invitations, accepting them, members' standing, API keys on the web."""
