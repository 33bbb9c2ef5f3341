"""The web faces shared by every role: login, layout, errors, languages, the admin screens."""
