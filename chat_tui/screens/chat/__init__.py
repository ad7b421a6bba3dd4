"""The chat screen, the reply presenter it shares with the race, and the race."""
