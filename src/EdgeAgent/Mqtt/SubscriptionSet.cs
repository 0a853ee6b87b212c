namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// The subscriptions asked for, and which the broker has confirmed. After a connect whose CONNACK says the session was
/// resumed (MQTT 3.1.1 section 3.2.2.2) only unconfirmed ones are sent again: re-subscribing makes the broker re-send
/// every retained message under the filter (section 3.8.4), a whole watchlist snapshot on every reconnect. Without a
/// session, all are sent. Used from any thread; the lock is held only for these few lines.
/// </summary>
internal sealed class SubscriptionSet
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Adds (or replaces) a subscription, to be sent on the next <see cref="TakeUnsent"/>.</summary>
    public void Add(string topicFilter, MqttQos qos)
    {
        lock (_gate)
        {
            _entries[topicFilter] = new Entry(qos, State.Unsent);
        }
    }

    /// <summary>A connection is up: with no session kept, every subscription must be sent again.</summary>
    public void Connected(bool sessionPresent)
    {
        lock (_gate)
        {
            foreach (var (filter, entry) in _entries.ToArray())
            {
                if (!sessionPresent || entry.State != State.Confirmed)
                {
                    _entries[filter] = entry with { State = State.Unsent };
                }
            }
        }
    }

    /// <summary>The subscriptions to send now, marked as sent.</summary>
    public IReadOnlyList<(string Filter, MqttQos Qos)> TakeUnsent()
    {
        lock (_gate)
        {
            var unsent = _entries.Where(e => e.Value.State == State.Unsent).Select(e => (e.Key, e.Value.Qos)).ToList();
            foreach (var (filter, _) in unsent)
            {
                _entries[filter] = _entries[filter] with { State = State.Sent };
            }

            return unsent;
        }
    }

    /// <summary>The broker's SUBACK for <paramref name="topicFilter"/>: granted, or refused (sent again after the next connect).</summary>
    public void Answered(string topicFilter, bool granted)
    {
        lock (_gate)
        {
            if (granted && _entries.TryGetValue(topicFilter, out var entry) && entry.State == State.Sent)
            {
                _entries[topicFilter] = entry with { State = State.Confirmed };
            }
        }
    }

    /// <summary>A subscription whose SUBACK never came (the connection dropped): sent again after the next connect.</summary>
    public void Unanswered(string topicFilter)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(topicFilter, out var entry) && entry.State == State.Sent)
            {
                _entries[topicFilter] = entry with { State = State.Unsent };
            }
        }
    }

    private enum State
    {
        Unsent,
        Sent,
        Confirmed,
    }

    private readonly record struct Entry(MqttQos Qos, State State);
}
