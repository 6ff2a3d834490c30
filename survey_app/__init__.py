"""The web application, storage and command line of the survey system."""
