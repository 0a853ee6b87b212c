using EdgeAnpr.Agent.Imaging;

namespace EdgeAnpr.Agent.Tracking;

/// <summary>
/// Follows plates across frames and reports one <see cref="VehiclePass"/> per plate when its track ends.
/// A detection joins the track whose predicted box (last box moved by the track's velocity) it overlaps,
/// or whose predicted centre it is near; a track unseen for <see cref="TrackingOptions.MaxGap"/> ends.
/// Not thread-safe: one pipeline stage calls it, frame by frame, in order.
/// </summary>
public sealed class PlateTracker(TrackingOptions options, TimeProvider time)
{
    private readonly List<Track> _tracks = [];
    private readonly long _maxGapTicks = (long)(options.MaxGap.TotalSeconds * time.TimestampFrequency);
    private long _nextId = 1;

    /// <summary>Tracks being followed now.</summary>
    public int ActiveTracks => _tracks.Count;

    /// <summary>
    /// Adds one frame's observations (all from the frame at <paramref name="timestamp"/>) and returns the
    /// passes of tracks that ended by this frame. <paramref name="pixels"/> is the frame, for keeping the best crop.
    /// </summary>
    public IReadOnlyList<VehiclePass> Update(long timestamp, IReadOnlyList<PlateObservation> observations, ReadOnlySpan<byte> pixels, int width, int height)
    {
        var ended = new List<VehiclePass>();
        EndTracks(t => timestamp - t.Last.Timestamp > _maxGapTicks, ended, endOfInput: false);

        var claimed = new HashSet<Track>();
        foreach (var observation in observations.OrderByDescending(o => o.DetectionScore))
        {
            var track = BestMatch(observation, claimed);
            if (track is null)
            {
                if (_tracks.Count >= options.MaxTracks)
                {
                    var oldest = _tracks.MinBy(t => t.Last.Timestamp)!;
                    EndTracks(t => t == oldest, ended, endOfInput: false);
                }

                track = new Track(_nextId++);
                _tracks.Add(track);
            }

            claimed.Add(track);
            track.Add(observation, pixels, width, height);
        }

        return ended;
    }

    /// <summary>Ends every track (the input ended): each one with a read is reported, however few frames it had.</summary>
    public IReadOnlyList<VehiclePass> Flush()
    {
        var ended = new List<VehiclePass>();
        EndTracks(_ => true, ended, endOfInput: true);
        return ended;
    }

    private Track? BestMatch(PlateObservation observation, HashSet<Track> claimed)
    {
        Track? best = null;
        var bestScore = 0.0;
        foreach (var track in _tracks)
        {
            if (claimed.Contains(track))
            {
                continue;
            }

            var predicted = track.Predict(observation.FrameSequence);
            var iou = predicted.IoU(observation.Box);
            var distance = CentreDistance(predicted, observation.Box) / Math.Max(1, Math.Max(predicted.Width, observation.Box.Width));
            var score = iou >= options.MinIoU ? 1 + iou : distance <= options.MaxCentreDistance ? 1 - (distance / (options.MaxCentreDistance + 1)) : 0;
            if (score > bestScore)
            {
                (best, bestScore) = (track, score);
            }
        }

        return best;
    }

    private void EndTracks(Func<Track, bool> ends, List<VehiclePass> passes, bool endOfInput)
    {
        for (var i = _tracks.Count - 1; i >= 0; i--)
        {
            var track = _tracks[i];
            if (!ends(track))
            {
                continue;
            }

            _tracks.RemoveAt(i);
            if (track.ToPass(endOfInput ? 1 : options.MinReads) is { } pass && pass.Confidence >= options.MinConfidence)
            {
                passes.Add(pass);
            }
        }

        // Report in the order the vehicles were first seen.
        passes.Sort((a, b) => a.First.Timestamp.CompareTo(b.First.Timestamp));
    }

    private static double CentreDistance(PixelRect a, PixelRect b)
    {
        var dx = (a.X + (a.Width / 2.0)) - (b.X + (b.Width / 2.0));
        var dy = (a.Y + (a.Height / 2.0)) - (b.Y + (b.Height / 2.0));
        return Math.Sqrt((dx * dx) + (dy * dy));
    }

    private sealed class Track(long id)
    {
        /// <summary>Margin kept around the best crop, as a fraction of the plate's height.</summary>
        private const double CropMargin = 0.25;

        private readonly List<PlateObservation> _observations = [];
        private PlateCrop? _bestCrop;
        private PlateObservation? _best;

        public PlateObservation Last => _observations[^1];

        public void Add(PlateObservation observation, ReadOnlySpan<byte> pixels, int width, int height)
        {
            _observations.Add(observation);
            if (observation.Text is not null && (_best is null || observation.Confidence > _best.Confidence))
            {
                _best = observation;
                _bestCrop = Crop(pixels, width, height, observation.Box);
            }
        }

        /// <summary>Where the plate should be in frame <paramref name="sequence"/>, moving as it did between its last two sightings.</summary>
        public PixelRect Predict(long sequence)
        {
            var last = Last.Box;
            if (_observations.Count < 2)
            {
                return last;
            }

            var previous = _observations[^2];
            var frames = Math.Max(1, Last.FrameSequence - previous.FrameSequence);
            var ahead = Math.Max(0, sequence - Last.FrameSequence);
            var dx = (last.X - previous.Box.X) * ahead / frames;
            var dy = (last.Y - previous.Box.Y) * ahead / frames;
            return last with { X = (int)(last.X + dx), Y = (int)(last.Y + dy) };
        }

        public VehiclePass? ToPass(int minReads)
        {
            var reads = _observations.Count(o => o.Text is not null);
            if (reads < minReads || _best is null || PlateVote.Vote(_observations) is not { } vote)
            {
                return null;
            }

            return new VehiclePass(
                id,
                vote.Text,
                vote.CharConfidences,
                vote.Confidence,
                reads,
                _observations.Select(o => o.FrameSequence).Distinct().ToArray(),
                _observations.DistinctBy(o => o.FrameSequence).Select(o => o.SourceTime).ToArray(),
                _observations[0],
                Last,
                _best,
                _bestCrop);
        }

        private static PlateCrop? Crop(ReadOnlySpan<byte> pixels, int width, int height, PixelRect box)
        {
            if (pixels.IsEmpty)
            {
                return null;
            }

            var margin = (int)(box.Height * CropMargin);
            var region = new PixelRect(box.X - margin, box.Y - margin, box.Width + (2 * margin), box.Height + (2 * margin)).ClipTo(width, height);
            if (region.IsEmpty)
            {
                return null;
            }

            var crop = new byte[region.Area];
            for (var y = 0; y < region.Height; y++)
            {
                pixels.Slice(((region.Y + y) * width) + region.X, region.Width).CopyTo(crop.AsSpan(y * region.Width, region.Width));
            }

            return new PlateCrop(crop, region.Width, region.Height);
        }
    }
}
