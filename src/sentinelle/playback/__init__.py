"""Playback: timelines (recorded ranges and gaps with their reasons), HLS playlists over the
stored segments, snapshots, and the journalled access check every look at video goes through."""
