"""Staff: a commune's agents (on its host, under /agent) and the shared sign-in steps
with a second factor that federation admins use too (webapp.federation.views)."""
