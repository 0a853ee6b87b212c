namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// The subscriptions asked for, and which the broker has confirmed. After a connect whose CONNACK says the
/// session was resumed (MQTT 3.1.1 section 3.2.2.2) only unconfirmed ones are sent again: re-subscribing
/// makes the broker re-send every retained message under the filter (section 3.8.4), a whole watchlist snapshot
/// on every reconnect. Without a session, all are sent. The lock is held only for these few lines, so the
/// connect callback may take it.
/// </summary>
internal sealed class SubscriptionSet
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _awaitingSuback = [];
    private bool _connected;

    /// <summary>Adds (or replaces) a subscription. True when connected now, so the caller sends it at once.</summary>
    public bool Add(string topicFilter, MqttQos qos)
    {
        lock (_gate)
        {
            _entries[topicFilter] = new Entry(qos, Confirmed: false);
            return _connected;
        }
    }

    /// <summary>Marks the connection up and returns the subscriptions to send on it.</summary>
    public IReadOnlyList<(string Filter, MqttQos Qos)> Connected(bool sessionPresent)
    {
        lock (_gate)
        {
            _connected = true;
            _awaitingSuback.Clear();
            return [.. _entries.Where(e => !sessionPresent || !e.Value.Confirmed).Select(e => (e.Key, e.Value.Qos))];
        }
    }

    public void Disconnected()
    {
        lock (_gate)
        {
            _connected = false;
        }
    }

    /// <summary>Notes the message id a SUBSCRIBE was sent with, to confirm it when its SUBACK comes.</summary>
    public void Sent(string topicFilter, int messageId)
    {
        lock (_gate)
        {
            _awaitingSuback[messageId] = topicFilter;
        }
    }

    /// <summary>Handles a SUBACK: the filter it answers and whether the broker granted it (0x80 is a refusal).</summary>
    public string? Acknowledged(int messageId, bool granted)
    {
        lock (_gate)
        {
            if (!_awaitingSuback.Remove(messageId, out var filter))
            {
                return null;
            }

            if (granted && _entries.TryGetValue(filter, out var entry))
            {
                _entries[filter] = entry with { Confirmed = true };
            }

            return filter;
        }
    }

    private readonly record struct Entry(MqttQos Qos, bool Confirmed);
}
