"""The dashboard's widgets: each is given its data and posts messages; none reads the store."""
