"""Files we write for the officer and the platform: roster xlsx/csv, letters, form, bundle."""
