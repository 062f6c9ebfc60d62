"""The family record (« Mon compte », « Mes enfants ») and the change requests agents decide on."""
