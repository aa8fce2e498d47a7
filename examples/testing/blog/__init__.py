"""A tiny blog on Directus: the sample app that examples/testing/tests tests with the plugin."""
