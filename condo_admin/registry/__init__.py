"""Who and what condo-admin administers: agencies, housing bodies, buildings, units, people,
households and who lived where when."""
