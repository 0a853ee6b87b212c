using System.Runtime.InteropServices;

namespace EdgeAnpr.Agent.Mqtt;

/// <summary>
/// The supervising task: starts libmosquitto's network thread, turns callback events into <see cref="MqttTransport.Status"/>
/// and log lines, and starts the network thread again when libmosquitto has let it end. Reconnecting itself is
/// libmosquitto's (mosquitto_reconnect_delay_set); this loop only steps in when nobody is reconnecting any more.
/// </summary>
internal sealed partial class MosquittoTransport
{
    /// <summary>How often the supervisor looks at the network thread and the counters when no event wakes it.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>While waiting for the network thread to stop, how often to repeat the request to stop.</summary>
    private static readonly TimeSpan StopNudge = TimeSpan.FromMilliseconds(100);

    /// <summary>How long a restart waits for a thread /proc says has ended before asking it to stop after all.</summary>
    private static readonly TimeSpan DeadThreadJoin = TimeSpan.FromSeconds(2);

    /// <summary>How long a disconnect without details waits for the OpenSSL error line that may explain it.</summary>
    private static readonly TimeSpan DetailWait = TimeSpan.FromMilliseconds(500);

    private readonly HashSet<string> _reportedProblems = new(StringComparer.Ordinal);
    private int? _networkThread;
    private long? _restartAt;
    private TimeSpan _restartDelay;
    private long _reportedDrops;
    private Task<bool>? _eventWait;
    private Task<ConnectionProblem>? _diagnosis;
    private UnexplainedDisconnect? _unexplained;

    private enum StopOutcome
    {
        /// <summary>The thread had ended; joining it changed nothing else.</summary>
        Joined,

        /// <summary>The thread had to be asked to stop (mosquitto_disconnect), which leaves the client "disconnected".</summary>
        JoinedAfterDisconnect,

        /// <summary>The thread is still running.</summary>
        TimedOut,
    }

    private async Task SuperviseAsync(CancellationToken cancellationToken)
    {
        _restartDelay = _options.ReconnectDelay;
        try
        {
            StartNetworkThread();
        }
        catch (Exception ex)
        {
            Log.SupervisorFailed(_logger, ex);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await StepAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Log.SupervisorFailed(_logger, ex);
            }

            await WaitForWorkAsync(cancellationToken);
        }

        // What the callbacks said last, for the log and the status.
        DrainEvents();
    }

    /// <summary>One pass: apply events, write library log lines, report drops, restart a network thread that has ended.</summary>
    internal async Task StepAsync(CancellationToken cancellationToken)
    {
        DrainEvents();
        DrainLibraryLines();
        ReportDrops();
        await ExplainDisconnectAsync();

        if (_networkThread is { } thread && _restartAt is null && !NetworkThreads.IsAlive(thread))
        {
            DrainEvents();
            _restartAt = _time.GetTimestamp() + (long)(_restartDelay.TotalSeconds * _time.TimestampFrequency);
            Log.NetworkThreadEnded(_logger, Endpoint, _status.Reason ?? "none reported", _restartDelay);
            _restartDelay = TimeSpan.FromTicks(Math.Min(_restartDelay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
        }

        if (_restartAt is { } due && _time.GetTimestamp() >= due)
        {
            _restartAt = null;
            var outcome = await StopNetworkThreadAsync(StopTimeout, disconnectAtOnce: false);
            cancellationToken.ThrowIfCancellationRequested();
            if (outcome != StopOutcome.TimedOut)
            {
                RestartNetworkThread(needsConnect: outcome == StopOutcome.JoinedAfterDisconnect);
            }
        }
    }

    /// <summary>
    /// For a fresh client: mosquitto_loop_start, then mosquitto_connect_async (DESIGN.md, "MQTT through
    /// libmosquitto": in the other order a client whose broker is down at start never reconnects). The new thread
    /// waits while the client is in its initial state (lib/thread_mosq.c, mosquitto__thread_main) and starts
    /// looping once connect_async has set the connection up.
    /// </summary>
    private void StartNetworkThread()
    {
        if (LoopStart())
        {
            Connect();
        }
    }

    /// <summary>
    /// Starts the network thread again after it ended. The client is past its initial state, so the new thread runs
    /// at once: it finds no socket and reconnects by itself after its delay, exactly as after a lost connection.
    /// Calling connect_async here as well would race that thread over the socket and the TLS objects (seen as a crash
    /// in libssl). Only when the old thread had to be told to stop (which marks the client disconnected, and a thread
    /// would leave at once) is connect_async called, first, while no thread runs.
    /// </summary>
    private void RestartNetworkThread(bool needsConnect)
    {
        if (needsConnect)
        {
            Connect();
        }

        LoopStart();
    }

    private bool LoopStart()
    {
        int rc;
        lock (NetworkThreads.StartGate)
        {
            var before = NetworkThreads.Current();
            rc = MosquittoNative.LoopStart(_handle);
            var started = NetworkThreads.Current();
            started.ExceptWith(before);
            _networkThread = started.Count == 1 ? started.Single() : null;
        }

        if (rc != MosquittoError.Success)
        {
            Report(MqttConnectionState.Disconnected, new ConnectionProblem($"cannot start libmosquitto's network thread: {ErrorText(rc)}", NeedsAttention: true));
            return false;
        }

        if (_networkThread is { } thread)
        {
            Log.NetworkThreadStarted(_logger, Endpoint, thread);
        }
        else
        {
            Log.NetworkThreadNotFound(_logger);
        }

        return true;
    }

    /// <summary>
    /// A connection attempt made on this thread (it resolves the host name); when it fails at once the network
    /// thread retries after its delay.
    /// </summary>
    private void Connect()
    {
        var rc = MosquittoNative.ConnectAsync(_handle, _options.Host, _options.Port, (int)_options.KeepAlive.TotalSeconds);
        if (rc is MosquittoError.Tls or MosquittoError.TlsHandshake)
        {
            // The OpenSSL error line that explains it is on its way as an event.
            SetStatus(MqttConnectionState.Disconnected, _status.Reason);
        }
        else if (rc != MosquittoError.Success)
        {
            var errno = Marshal.GetLastPInvokeError();
            Report(MqttConnectionState.Disconnected, ConnectionProblem.FromConnectCall(rc, errno, _options.Host));
        }
    }

    /// <summary>
    /// Stops the network thread and joins it (mosquitto_loop_stop). A running thread only leaves its loop when it
    /// sees the client disconnecting, so mosquitto_disconnect comes first, at once with
    /// <paramref name="disconnectAtOnce"/>, otherwise only if a thread believed ended does not join. A reconnect
    /// attempt that was running when we asked overwrites the disconnecting state (lib/connect.c sets connect_pending
    /// when it fails), so the request is repeated until the join completes or <paramref name="timeout"/> passes.
    /// </summary>
    private async Task<StopOutcome> StopNetworkThreadAsync(TimeSpan timeout, bool disconnectAtOnce)
    {
        var disconnected = disconnectAtOnce;
        if (disconnectAtOnce)
        {
            MosquittoNative.Disconnect(_handle);
        }

        var join = Task.Factory.StartNew(
            () => MosquittoNative.LoopStop(_handle, force: false), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var started = _time.GetTimestamp();
        while (!join.IsCompleted)
        {
            await Task.WhenAny(join, Task.Delay(StopNudge, _time));
            if (join.IsCompleted)
            {
                break;
            }

            var waited = _time.GetElapsedTime(started);
            if (waited > timeout)
            {
                return StopOutcome.TimedOut;
            }

            if (disconnected || waited > DeadThreadJoin)
            {
                MosquittoNative.Disconnect(_handle);
                disconnected = true;
            }
        }

        _networkThread = null;
        return disconnected ? StopOutcome.JoinedAfterDisconnect : StopOutcome.Joined;
    }

    private async Task WaitForWorkAsync(CancellationToken cancellationToken)
    {
        // One outstanding wait, reused across passes: a new WaitToReadAsync per pass would pile up waiters while idle.
        _eventWait ??= _events.Reader.WaitToReadAsync(cancellationToken).AsTask();
        await Task.WhenAny(_eventWait, Task.Delay(Poll, _time, cancellationToken));
        if (_eventWait.IsCompleted)
        {
            _eventWait = null;
        }
    }

    private void DrainEvents()
    {
        while (_events.Reader.TryRead(out var nativeEvent))
        {
            Apply(nativeEvent);
        }
    }

    private void Apply(NativeEvent nativeEvent)
    {
        switch (nativeEvent)
        {
            case NativeEvent.Connected { Code: 0 } connected:
                Interlocked.Increment(ref _connects);
                _restartDelay = _options.ReconnectDelay;
                _reportedProblems.Clear();
                _unexplained = null;
                _diagnosis = null;
                Log.Connected(_logger, Endpoint, connected.SessionPresent);
                SetStatus(MqttConnectionState.Connected, null);
                break;
            case NativeEvent.Connected refused:
                Report(MqttConnectionState.Refused, ConnectionProblem.FromConnack(refused.Code, _options.ProtocolVersion));
                break;
            case NativeEvent.Disconnected { Error: MosquittoError.Success }:
                // Our own DISCONNECT (dispose); nothing went wrong.
                break;
            case NativeEvent.Disconnected { Error: MosquittoError.ConnectionRefused } when _status.State == MqttConnectionState.Refused:
                // The socket closing after a refusing CONNACK, already reported with its reason.
                break;
            case NativeEvent.Disconnected { Error: MosquittoError.Tls or MosquittoError.Errno, LibraryError: null } unexplained
                when unexplained.Error == MosquittoError.Tls || unexplained.Errno == 0:
                // libmosquitto calls back before it logs the OpenSSL error that explains a TLS failure, and errno may
                // not survive the way into .NET: wait a moment for the explanation before looking for one ourselves.
                _unexplained ??= new UnexplainedDisconnect(unexplained.Error, _status.State == MqttConnectionState.Connected, _time.GetTimestamp());
                SetStatus(MqttConnectionState.Disconnected, _status.Reason);
                break;
            case NativeEvent.Disconnected disconnected:
                var problem = ConnectionProblem.FromDisconnect(disconnected.Error, disconnected.Errno, disconnected.LibraryError);
                Report(problem.NeedsAttention ? MqttConnectionState.Refused : MqttConnectionState.Disconnected, problem);
                break;
            case NativeEvent.TlsFailed tls:
                var tlsProblem = ConnectionProblem.FromTls(tls.Line);
                var afterConnected = _unexplained?.WasConnected ?? false;
                _unexplained = null;
                Report(tlsProblem.NeedsAttention ? MqttConnectionState.Refused : MqttConnectionState.Disconnected, tlsProblem, afterConnected);
                break;
            case NativeEvent.SubscriptionAnswered { Granted: true } answered:
                Log.Subscribed(_logger, answered.Filter);
                break;
            case NativeEvent.SubscriptionAnswered refusedSubscription:
                Log.SubscriptionRefused(_logger, Endpoint, refusedSubscription.Filter);
                break;
            case NativeEvent.SubscribeFailed failed:
                Log.SubscribeFailed(_logger, failed.Filter, ErrorText(failed.Error));
                break;
            case NativeEvent.CallbackFailed failed:
                Log.CallbackFailed(_logger, failed.Callback, failed.Exception);
                break;
        }
    }

    /// <summary>
    /// A disconnect that came without its reason and got none within <see cref="DetailWait"/>: a TLS error is
    /// reported as such; a socket error is diagnosed by trying a plain TCP connection to the broker.
    /// </summary>
    private async Task ExplainDisconnectAsync()
    {
        if (_unexplained is { } unexplained && _time.GetElapsedTime(unexplained.At) > DetailWait)
        {
            if (unexplained.Error == MosquittoError.Errno)
            {
                _diagnosis ??= ConnectionProblem.DiagnoseAsync(_options.Host, _options.Port, _options.UsesTls, _time);
                if (!_diagnosis.IsCompleted)
                {
                    return;
                }

                var diagnosis = await _diagnosis;
                _diagnosis = null;
                Report(MqttConnectionState.Disconnected, diagnosis, unexplained.WasConnected);
            }
            else
            {
                Report(MqttConnectionState.Disconnected, ConnectionProblem.FromDisconnect(unexplained.Error, 0, null), unexplained.WasConnected);
            }

            _unexplained = null;
        }
    }

    /// <summary>
    /// Records why the connection is not up, and logs it the first time it is seen in this outage: a box whose
    /// broker refuses it retries every few seconds, and one line per cause is enough.
    /// </summary>
    private void Report(MqttConnectionState state, ConnectionProblem problem, bool wasConnected = false)
    {
        wasConnected |= _status.State == MqttConnectionState.Connected;
        SetStatus(state, problem.Reason);
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

    private void DrainLibraryLines()
    {
        while (_libraryLines.Reader.TryRead(out var line))
        {
            Log.Library(_logger, line);
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

    private readonly record struct UnexplainedDisconnect(int Error, bool WasConnected, long At);
}
