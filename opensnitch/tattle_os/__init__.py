"""tattle-opensnitch: tattled <-> OpenSnitch 1.5 desktop GUI bridge."""
