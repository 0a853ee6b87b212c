using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// The supervising loop, the one place that connects: connect attempts retried with exponential back-off by a Polly
/// pipeline (<see cref="MqttOptions.ReconnectDelay"/> doubling up to <see cref="MqttOptions.MaxReconnectDelay"/>), then,
/// while connected, the subscriptions and the drop count, until the connection is lost. MQTTnet's samples warn against
/// reconnecting from its DisconnectedAsync event (it runs inside the client's own clean-up), so that event only
/// completes a task this loop waits on.
/// </summary>
internal sealed partial class MqttNetTransport
{
    private readonly HashSet<string> _reportedProblems = new(StringComparer.Ordinal);
    private TaskCompletionSource<Exception?> _lost = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MqttClientConnectResult? _refusal;
    private Task<bool>? _wakeWait;
    private long _connects;
    private long _attempts;
    private long _reportedDrops;

    private async Task SuperviseAsync(CancellationToken stopping)
    {
        var reconnect = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<ConnectFailedException>(),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = _options.ReconnectDelay,
                MaxDelay = _options.MaxReconnectDelay,
                MaxRetryAttempts = int.MaxValue,
            })
            .Build();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var lost = await reconnect.ExecuteAsync(ConnectAsync, stopping);
                ConnectionLost(await StayConnectedAsync(lost, stopping));

                // A broker that drops every new connection (another box with this client id) must not be hammered.
                await Task.Delay(_options.ReconnectDelay, _time, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop's catch: log and carry on; the next pass connects again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.SupervisorFailed(_logger, ex);
                try
                {
                    // Start the next pass from a closed connection, whatever state this one left behind.
                    if (_client.IsConnected)
                    {
                        await _client.DisconnectAsync(new MqttClientDisconnectOptions(), stopping);
                    }

                    await Task.Delay(_options.ReconnectDelay, _time, stopping);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (MqttCommunicationException)
                {
                    // Already closed: the next pass connects again.
                }
            }
        }
    }

    /// <summary>One connect attempt; on success the task that completes when this connection is lost (with its cause).</summary>
    private async ValueTask<Task<Exception?>> ConnectAsync(CancellationToken stopping)
    {
        Log.Attempt(_logger, Endpoint, Interlocked.Increment(ref _attempts));
        _certificateCheck?.Reset();
        Volatile.Write(ref _refusal, null);
        var lost = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _lost, lost);
        using var timeout = new CancellationTokenSource(MqttClientSettings.ConnectTimeout, _time);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        MqttClientConnectResult result;
        try
        {
            result = await _client.ConnectAsync(_clientOptions, deadline.Token);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            var problem = ex is OperationCanceledException
                ? new ConnectionProblem(
                    $"no answer from the broker within {MqttClientSettings.ConnectTimeout.TotalSeconds:0} s (timed out; a firewall or the network?)", NeedsAttention: false)
                : ConnectionProblem.FromException(ex, _certificateCheck?.Problem, _options.Host, _options.ProtocolVersion, Volatile.Read(ref _refusal));
            if (_certificateCheck is { Problem: null } check && !problem.NeedsAttention && Volatile.Read(ref _refusal) is null
                && ConnectionProblem.ClosedAfterAccepting(ex) && await TlsProbe.ReadAlertAsync(_options, check, _time, stopping) is { } alert && ConnectionProblem.FromTls(alert) is { NeedsAttention: true } refused)
            {
                // Closed during connect without a word: the broker's own alert, read by a second handshake, says why.
                problem = refused;
            }

            throw Failed(problem, ex);
        }

        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw Failed(ConnectionProblem.FromConnack(result.ResultCode, _options.ProtocolVersion), null);
        }

        var connects = Interlocked.Increment(ref _connects);
        _reportedProblems.Clear();
        _subscriptions.Connected(result.IsSessionPresent);
        Log.Connected(_logger, Endpoint, result.IsSessionPresent);
        SetStatus(MqttConnectionState.Connected, null, connects);
        return lost.Task;
    }

    /// <summary>While connected: sends subscriptions and reports drops whenever woken; returns the cause once the connection is lost.</summary>
    private async Task<Exception?> StayConnectedAsync(Task<Exception?> lost, CancellationToken stopping)
    {
        while (!lost.IsCompleted)
        {
            await SubscribeAsync(stopping);
            ReportDrops();

            // One outstanding wait, kept across passes: a new WaitToReadAsync per pass would pile up waiters.
            _wakeWait ??= _wake.Reader.WaitToReadAsync(stopping).AsTask();
            await Task.WhenAny(lost, _wakeWait);
            stopping.ThrowIfCancellationRequested();
            if (_wakeWait.IsCompleted)
            {
                _wakeWait = null;
                _wake.Reader.TryRead(out _);
            }
        }

        return await lost;
    }

    /// <summary>Sends the subscriptions not sent on this connection yet, each waiting for its SUBACK.</summary>
    private async Task SubscribeAsync(CancellationToken stopping)
    {
        foreach (var (filter, qos) in _subscriptions.TakeUnsent())
        {
            try
            {
                var options = new MqttClientSubscribeOptionsBuilder()
                    .WithTopicFilter(f => f.WithTopic(filter).WithQualityOfServiceLevel((MqttQualityOfServiceLevel)qos))
                    .Build();
                var result = await _client.SubscribeAsync(options, stopping);
                var granted = result.Items.Count > 0 && result.Items.All(i => i.ResultCode <= MqttClientSubscribeResultCode.GrantedQoS2);
                _subscriptions.Answered(filter, granted);
                if (granted)
                {
                    Log.Subscribed(_logger, filter);
                }
                else
                {
                    Log.SubscriptionRefused(_logger, Endpoint, filter);
                }
            }
            catch (Exception ex) when (ex is MqttCommunicationException or MqttClientNotConnectedException && !stopping.IsCancellationRequested)
            {
                // The connection dropped: sent again once it is back.
                _subscriptions.Unanswered(filter);
                Log.SubscribeFailed(_logger, filter, ex.Message);
            }
        }
    }

    private void ConnectionLost(Exception? cause)
    {
        var problem = cause is null
            ? new ConnectionProblem(ConnectionProblem.ClosedByBroker, NeedsAttention: false)
            : ConnectionProblem.FromException(cause, certificateProblem: null, _options.Host, _options.ProtocolVersion);
        Report(MqttConnectionState.Disconnected, problem, wasConnected: true);
    }

    /// <summary>MQTTnet's disconnect event: only tells the loop. Its reason says NormalDisconnection even for a killed broker, so the exception is what counts.</summary>
    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        if (args.ClientWasConnected)
        {
            Volatile.Read(ref _lost).TrySetResult(args.Exception);
        }
        else
        {
            // A failed connect attempt: the refusing CONNACK, if one came, is only to be had here.
            Volatile.Write(ref _refusal, args.ConnectResult);
        }

        return Task.CompletedTask;
    }

    private ConnectFailedException Failed(ConnectionProblem problem, Exception? cause)
    {
        Report(problem.NeedsAttention ? MqttConnectionState.Refused : MqttConnectionState.Disconnected, problem);
        return new ConnectFailedException(problem.Reason, cause);
    }

    /// <summary>
    /// Records why the connection is not up, and logs it the first time it is seen in this outage: a box whose
    /// broker refuses it retries every few seconds, and one line per cause is enough.
    /// </summary>
    private void Report(MqttConnectionState state, ConnectionProblem problem, bool wasConnected = false)
    {
        SetStatus(state, problem.Reason, Interlocked.Read(ref _connects));
        if (!_reportedProblems.Add(problem.Reason))
        {
            return;
        }

        if (state == MqttConnectionState.Refused)
        {
            Log.Refused(_logger, Endpoint, problem.Reason);
        }
        else if (wasConnected)
        {
            Log.ConnectionLost(_logger, Endpoint, problem.Reason);
        }
        else
        {
            Log.CannotConnect(_logger, Endpoint, problem.Reason);
        }
    }

    private void ReportDrops()
    {
        var dropped = MessagesDropped;
        if (dropped != _reportedDrops)
        {
            _reportedDrops = dropped;
            Log.MessagesDropped(_logger, dropped, IncomingQueueCapacity);
        }
    }

    /// <summary>A connect attempt that failed, already reported; Polly retries on it.</summary>
    private sealed class ConnectFailedException(string message, Exception? inner) : Exception(message, inner);
}
