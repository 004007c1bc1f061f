"""The portal's pages; `connector_app.connector_app` registers each of them."""
