def register(router):
    """Register this app's API view sets on the /api/v1/ router."""
