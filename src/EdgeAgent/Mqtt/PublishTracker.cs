namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// Pairs each PUBACK with the publish it acknowledges. libmosquitto only says which message id a publish got when
/// <c>mosquitto_publish</c> returns, and its network thread can deliver the PUBACK (on_publish with that id) before
/// then (DESIGN.md, "MQTT through libmosquitto"). So both sides meet here under one short lock, never held across
/// a libmosquitto call: the publisher registers the id it was given, the callback completes it; whichever comes
/// second finds the other's note. Every publish is registered, tracked or not, so an early acknowledgement is
/// always collected and cannot linger to match a later publish that reuses the id after the 16-bit wrap.
/// </summary>
internal sealed class PublishTracker
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, PendingPublish> _pending = [];
    private readonly HashSet<int> _acknowledgedEarly = [];
    private long _early;

    /// <summary>Publishes sent and not acknowledged yet.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>How many acknowledgements arrived before their publish call returned.</summary>
    public long AcknowledgedBeforeRegistered => Interlocked.Read(ref _early);

    /// <summary>
    /// Records the id <c>mosquitto_publish</c> returned. True when its acknowledgement has already arrived: the
    /// caller then completes <paramref name="publish"/> itself.
    /// </summary>
    public bool Register(int messageId, PendingPublish publish)
    {
        lock (_gate)
        {
            if (_acknowledgedEarly.Remove(messageId))
            {
                _early++;
                return true;
            }

            _pending[messageId] = publish;
            return false;
        }
    }

    /// <summary>
    /// Called from the publish callback. True, with the publish, when it was registered; otherwise the
    /// acknowledgement is noted for <see cref="Register"/> to find.
    /// </summary>
    public bool TryAcknowledge(int messageId, out PendingPublish publish)
    {
        lock (_gate)
        {
            if (_pending.Remove(messageId, out publish))
            {
                return true;
            }

            _acknowledgedEarly.Add(messageId);
            return false;
        }
    }

    /// <summary>Drops any note about an id whose publish failed.</summary>
    public void Forget(int messageId)
    {
        lock (_gate)
        {
            _pending.Remove(messageId);
            _acknowledgedEarly.Remove(messageId);
        }
    }
}

/// <summary>
/// What to do when a publish is acknowledged: hand <see cref="Token"/> to the reader of acknowledgements, and/or
/// complete <see cref="Completion"/> (used internally); neither for a fire-and-forget publish.
/// </summary>
internal readonly record struct PendingPublish(long? Token, TaskCompletionSource? Completion);
