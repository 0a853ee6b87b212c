using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Agent.Watchlist;
using EdgeAnpr.Shared.Events;
using Microsoft.Extensions.Logging;

namespace EdgeAnpr.Agent.Pipeline;

/// <summary>
/// The last stage: matches each vehicle pass against the watchlist and hands every hit to delivery, which commits it
/// to the outbox before anything else happens; only then is the relay pulsed and the hit reported. A read that matches
/// nothing goes no further (unless <see cref="DeliveryOptions.PublishReads"/>). Without a watchlist (a replay without
/// <c>--config</c>) passes are only reported.
/// </summary>
/// <remarks>
/// A hit the outbox cannot take (a full or failing disk) is kept and retried with backoff, never dropped: the pass
/// queue then fills and the frame stages wait. Only a shutdown during the retries gives up, with an error line naming
/// the plate.
/// </remarks>
public sealed class PassProcessor
{
    /// <summary>First wait after a failed commit; doubled up to <see cref="MaxRetryDelay"/>.</summary>
    internal static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);

    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly PassQueue _passes;
    private readonly PipelineStats _stats;
    private readonly WatchlistMatcher? _matcher;
    private readonly DeliveryService? _delivery;
    private readonly HitEventFactory? _events;
    private readonly HitSignal? _signal;
    private readonly IPipelineObserver[] _observers;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="passes">Finished passes from the frame stages.</param>
    /// <param name="stats">Counters.</param>
    /// <param name="matcher">The watchlist, or null to report passes only.</param>
    /// <param name="delivery">Delivery (with <paramref name="events"/>); required with a watchlist.</param>
    /// <param name="events">Makes the hit events.</param>
    /// <param name="signal">The relay pulsed on a hit, or null.</param>
    /// <param name="observers">Told of each pass and each committed hit.</param>
    /// <param name="time">The clock the retries wait on.</param>
    /// <param name="logger">The pipeline's log.</param>
    public PassProcessor(
        PassQueue passes,
        PipelineStats stats,
        WatchlistMatcher? matcher,
        DeliveryService? delivery,
        HitEventFactory? events,
        HitSignal? signal,
        IEnumerable<IPipelineObserver> observers,
        TimeProvider time,
        ILogger<PassProcessor> logger)
    {
        _passes = passes ?? throw new ArgumentNullException(nameof(passes));
        _stats = stats ?? throw new ArgumentNullException(nameof(stats));
        if (matcher is not null && (delivery is null || events is null))
        {
            throw new ArgumentException("Matching the watchlist needs delivery and the event factory.", nameof(delivery));
        }

        _matcher = matcher;
        _delivery = delivery;
        _events = events;
        _signal = signal;
        _observers = [.. observers ?? throw new ArgumentNullException(nameof(observers))];
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Whether passes are matched against a watchlist.</summary>
    public bool Matches => _matcher is not null;

    /// <summary>Marked busy from taking a pass until it is handled (its hit committed), idle while it waits out a failed commit's backoff; null: not watched.</summary>
    public StageLiveness? Liveness { get; init; }

    /// <summary>Handles passes until the queue completes (the input ended) or the token is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var pass in _passes.Reader.ReadAllAsync(cancellationToken))
            {
                Liveness?.Busy();
                await HandleAsync(pass, cancellationToken);
                Liveness?.Idle();
            }
        }
        finally
        {
            Liveness?.Idle();
        }
    }

    internal async ValueTask HandleAsync(VehiclePass pass, CancellationToken cancellationToken)
    {
        Log.Pass(_logger, pass.TrackId, pass.Text.Value, pass.Text.Region, pass.Confidence, pass.Frames.Count, pass.Reads);
        foreach (var observer in _observers)
        {
            observer.OnPass(pass);
        }

        if (_matcher is null)
        {
            return;
        }

        if (_matcher.Match(pass.Text) is not { } match)
        {
            await CommitAsync(pass, () => _delivery!.SubmitReadAsync(pass, cancellationToken), cancellationToken);
            return;
        }

        var made = _events!.Create(pass, match.ToHitMatch());
        if (await CommitAsync(pass, async () => await _delivery!.SubmitAsync(made, cancellationToken), cancellationToken) is not { } hit)
        {
            return;
        }

        _stats.HitCommitted();
        Log.Hit(_logger, hit.Plate.Text, match.Entry.Id, match.Entry.Priority, match.How, hit.EventId);
        _signal?.Pulse(match.Entry.Priority);
        foreach (var observer in _observers)
        {
            observer.OnHit(hit);
        }
    }

    /// <summary>Runs the commit until it succeeds, waiting longer after each storage failure (delivery logs each).</summary>
    private async ValueTask<HitEvent?> CommitAsync(VehiclePass pass, Func<ValueTask<HitEvent?>> commit, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                return await commit();
            }
            catch (StorageException) when (!cancellationToken.IsCancellationRequested)
            {
                // Logged by delivery; keep the hit and try again.
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Log.GaveUp(_logger, pass.Text.Value, pass.TrackId);
                throw;
            }

            // Waiting out the backoff is the stage's designed wait, not a wedge (as capture's restart backoff is not): a
            // full disk or a database another process holds would not be freed by a watchdog restart. Only a commit that
            // does not return counts against Watchdog:StageTimeout.
            Liveness?.Idle();
            try
            {
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Log.GaveUp(_logger, pass.Text.Value, pass.TrackId);
                throw;
            }

            Liveness?.Busy();

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }
}
