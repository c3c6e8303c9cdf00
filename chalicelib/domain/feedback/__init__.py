"""Post-delivery feedback: who may rate when, what a rating records, and how ratings are counted."""
