"""Teacher training, grafting and the step loop they share."""
