using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Imaging;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Shared.Events;
using EdgeAnpr.Shared.Plates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeAnpr.Bench;

/// <summary>
/// Hits end to end on loopback: vehicle pass to event (with its JPEG crop), durable commit to the outbox
/// (<c>synchronous=FULL</c>), publish at QoS 1 to a real mosquitto, PUBACK, delete. Prints sustained hits/s,
/// read-to-PUBACK latency at a steady rate, and the drain rate of a backlog after an outage.
/// Goals (issue): >= 2000 hits/s sustained; p99 read-to-PUBACK <= 50 ms; drain >= 5000 hits/min.
/// </summary>
internal static class DeliveryBench
{
    private const string Mosquitto = "/usr/sbin/mosquitto";

    public static async Task<int> RunAsync(string[] args)
    {
        var hits = Option(args, "--hits", 20_000);
        var rate = Option(args, "--rate", 200);
        var latencyHits = Option(args, "--latency-hits", 3_000);
        var backlog = Option(args, "--backlog", 20_000);
        var directory = Path.Combine(Path.GetTempPath(), "edgeanpr-delivery-bench");
        if (!File.Exists(Mosquitto))
        {
            Console.Error.WriteLine($"{Mosquitto} is missing (apt-get install mosquitto)");
            return 2;
        }

        var crop = new PlateCrop(PlateImage(200, 60), 200, 60);
        var jpeg = GrayCodec.EncodeJpeg(crop.Pixels, 200, 60);
        for (var i = 0; i < 2000; i++)
        {
            // Past tiered compilation's first tiers.
            GrayCodec.EncodeJpeg(crop.Pixels, 200, 60);
        }

        var encode = Stopwatch.GetTimestamp();
        for (var i = 0; i < 1000; i++)
        {
            GrayCodec.EncodeJpeg(crop.Pixels, 200, 60);
        }

        var encodeMs = Stopwatch.GetElapsedTime(encode).TotalMilliseconds / 1000;
        Console.WriteLine($"delivery: hits with a 200x60 JPEG crop ({jpeg.Length} bytes, encoded in {encodeMs:0.000} ms), database in {directory}, {Environment.ProcessorCount} CPUs");
        Console.WriteLine();

        await using var broker = await Broker.StartAsync();
        await SustainedAsync(broker, directory, crop, hits, inFlight: 256, premade: true);
        await SustainedAsync(broker, directory, crop, hits, inFlight: 256, premade: false);
        await LatencyAsync(broker, directory, crop, latencyHits, rate);
        await LatencyAsync(broker, directory, crop, latencyHits, rate * 5);
        await DrainAsync(broker, directory, crop, backlog);
        return 0;
    }

    /// <summary>
    /// A producer that keeps <paramref name="inFlight"/> submits outstanding; elapsed until every hit is acknowledged.
    /// With <paramref name="premade"/> the events (JPEG included) are made before the clock starts: delivery alone.
    /// </summary>
    private static async Task SustainedAsync(Broker broker, string directory, PlateCrop crop, int hits, int inFlight, bool premade)
    {
        await using var box = await Box.StartAsync(broker, directory);
        var events = premade ? Enumerable.Range(0, hits).Select(i => box.Factory.Create(Pass(crop, i), Match)).ToArray() : null;
        var acknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var count = 0;
        box.Delivery.OnAcknowledged = _ =>
        {
            // Called on each publish's own task: calls may overlap.
            if (Interlocked.Increment(ref count) == hits)
            {
                acknowledged.TrySetResult();
            }
        };

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var window = new Queue<Task>();
        for (var i = 0; i < hits; i++)
        {
            if (window.Count == inFlight)
            {
                await window.Dequeue();
            }

            window.Enqueue(events is null ? box.Delivery.SubmitAsync(Pass(crop, i), Match).AsTask() : box.Delivery.SubmitAsync(events[i]).AsTask());
        }

        await Task.WhenAll(window);
        var committed = Stopwatch.GetElapsedTime(started);
        await acknowledged.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var elapsed = Stopwatch.GetElapsedTime(started);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sustained, {(premade ? "events made beforehand" : "events made per hit (JPEG)")}, {inFlight} submits outstanding: {hits} hits committed in {committed.TotalSeconds:0.00} s, all acknowledged in {elapsed.TotalSeconds:0.00} s " +
            $"= {hits / elapsed.TotalSeconds:0} hits/s (agent CPU {used.TotalSeconds / elapsed.TotalSeconds * 100:0}% of one core)"));
    }

    /// <summary>Hits at a steady rate; each timed from the pass (before its event is made) to its PUBACK on the delivery loop.</summary>
    private static async Task LatencyAsync(Broker broker, string directory, PlateCrop crop, int hits, int perSecond)
    {
        await using var box = await Box.StartAsync(broker, directory);
        var begun = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        box.Delivery.OnAcknowledged = eventId =>
        {
            if (begun.TryRemove(eventId, out var start))
            {
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                if (latencies.Count == hits)
                {
                    done.TrySetResult();
                }
            }
        };

        // Each hit is submitted at its due time or at the first wake-up after it (timer granularity is about 1 ms):
        // no spinning, which would take a core from the pipeline on a small box.
        var interval = Stopwatch.Frequency / (double)perSecond;
        var first = Stopwatch.GetTimestamp();
        var submits = new List<Task>(hits);
        for (var i = 0; i < hits;)
        {
            while (i < hits && Stopwatch.GetTimestamp() >= first + (long)(i * interval))
            {
                submits.Add(SubmitTimedAsync(box, Pass(crop, i), begun));
                i++;
            }

            await Task.Delay(1);
        }

        await Task.WhenAll(submits);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        var sorted = latencies.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"read-to-PUBACK at {perSecond} hits/s, {hits} hits: p50 {Percentile(sorted, 50):0.0} ms, p90 {Percentile(sorted, 90):0.0} ms, " +
            $"p99 {Percentile(sorted, 99):0.0} ms, max {sorted[^1]:0.0} ms"));
    }

    /// <summary>A backlog committed while the broker is down, then the time from the broker's return to an empty outbox.</summary>
    private static async Task DrainAsync(Broker broker, string directory, PlateCrop crop, int hits)
    {
        await broker.StopAsync();
        await using var box = await Box.StartAsync(broker, directory, waitForConnection: false);
        var committed = Stopwatch.GetTimestamp();
        var window = new Queue<Task>();
        for (var i = 0; i < hits; i++)
        {
            if (window.Count == 256)
            {
                await window.Dequeue();
            }

            window.Enqueue(box.Delivery.SubmitAsync(Pass(crop, i), Match).AsTask());
        }

        await Task.WhenAll(window);
        var commitSeconds = Stopwatch.GetElapsedTime(committed).TotalSeconds;
        var bytes = box.Outbox.Bytes;

        broker.Start();
        var back = Stopwatch.GetTimestamp();
        while (!box.Transport.IsConnected)
        {
            await Task.Delay(5);
        }

        var connected = Stopwatch.GetTimestamp();
        if (!await box.Delivery.DrainAsync(TimeSpan.FromMinutes(10)))
        {
            Console.WriteLine("drain: did not finish within 10 minutes");
            return;
        }

        var fromBack = Stopwatch.GetElapsedTime(back);
        var fromConnect = Stopwatch.GetElapsedTime(connected);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"drain after an outage: {hits} hits ({bytes / 1048576.0:0.0} MB, committed offline in {commitSeconds:0.0} s) delivered in {fromConnect.TotalSeconds:0.00} s from the reconnect " +
            $"({fromBack.TotalSeconds:0.00} s from the broker's restart) = {hits / fromConnect.TotalMinutes:0} hits/min ({hits / fromBack.TotalMinutes:0} from the restart)"));
    }

    private static async Task SubmitTimedAsync(Box box, VehiclePass pass, ConcurrentDictionary<string, long> begun)
    {
        var start = Stopwatch.GetTimestamp();
        var hit = box.Factory.Create(pass, Match);
        begun[hit.EventId] = start;
        await box.Delivery.SubmitAsync(hit);
    }

    private static readonly HitMatch Match = new("W-17", "stolen vehicle", 5, MatchKind.Exact);

    private static readonly PlateText Plate = PlateText.Parse("AYO9034", PlateRegion.Latin);

    private static VehiclePass Pass(PlateCrop crop, int n)
    {
        var now = TimeProvider.System.GetTimestamp();
        var observation = new PlateObservation(n, now, TimeSpan.Zero, new PixelRect(400, 300, 200, 60), 0.9f, Plate, [0.97f, 0.97f, 0.97f, 0.97f, 0.97f, 0.97f, 0.97f], 0.97f);
        return new VehiclePass(n, Plate, observation.CharConfidences, 0.97f, 8, [n], [TimeSpan.Zero], observation, observation, observation, crop);
    }

    private static byte[] PlateImage(int width, int height)
    {
        var random = new Random(1);
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var glyph = x > 20 && x < width - 20 && y > 12 && y < height - 12 && (x / 6 % 4 == 0 || (y / 6 % 3 == 0 && x / 24 % 2 == 0));
                pixels[(y * width) + x] = (byte)Math.Clamp((glyph ? 30 : 180 + (40 * x / width)) + random.Next(-6, 7), 0, 255);
            }
        }

        return pixels;
    }

    private static double Percentile(double[] sorted, int percent) => sorted[Math.Min(sorted.Length - 1, sorted.Length * percent / 100)];

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>A fresh state directory, outbox, connected transport and running delivery service.</summary>
    private sealed class Box : IAsyncDisposable
    {
        private readonly string _directory;

        private Box(string directory, Outbox outbox, MqttTransport transport, HitEventFactory factory, DeliveryService delivery)
        {
            _directory = directory;
            Outbox = outbox;
            Transport = transport;
            Factory = factory;
            Delivery = delivery;
        }

        public Outbox Outbox { get; }

        public MqttTransport Transport { get; }

        public HitEventFactory Factory { get; }

        public DeliveryService Delivery { get; }

        public static async Task<Box> StartAsync(Broker broker, string directory, bool waitForConnection = true)
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            var time = TimeProvider.System;
            var outbox = new Outbox(AgentDatabase.Open(directory, time, NullLogger.Instance), new OutboxOptions(), time, NullLogger.Instance);
            var options = new MqttOptions
            {
                Host = "127.0.0.1",
                Port = broker.Port,
                ClientId = "bench-box",
                ReconnectDelay = TimeSpan.FromSeconds(1),
                MaxReconnectDelay = TimeSpan.FromSeconds(1),
            };
            var transport = MqttTransport.Create(options, options.ClientId, null, NullLogger.Instance, time);
            transport.Start();
            while (waitForConnection && !transport.IsConnected)
            {
                await Task.Delay(10);
            }

            var factory = new HitEventFactory(new CameraIdentity("site1", "cam1"), time);
            var delivery = new DeliveryService(outbox, factory, new DeliveryOptions(), transport, time, NullLogger<DeliveryService>.Instance);
            await delivery.StartAsync(CancellationToken.None);
            return new Box(directory, outbox, transport, factory, delivery);
        }

        public async ValueTask DisposeAsync()
        {
            await Delivery.StopAsync(CancellationToken.None);
            Delivery.Dispose();
            await Transport.DisposeAsync();
            Outbox.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>A mosquitto on a free loopback port, without persistence (the box's outbox is what is measured).</summary>
    private sealed class Broker : IAsyncDisposable
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), $"edgeanpr-bench-mosquitto-{Environment.ProcessId}");
        private Process? _process;

        private Broker(int port)
        {
            Port = port;
            Directory.CreateDirectory(_directory);
            File.WriteAllText(Config, $"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 0\nuser {Environment.UserName}\n");
        }

        public int Port { get; }

        private string Config => Path.Combine(_directory, "mosquitto.conf");

        public static async Task<Broker> StartAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var broker = new Broker(port);
            broker.Start();
            using var probe = new TcpClient();
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return broker;
                }
                catch (SocketException) when (attempt < 200)
                {
                    await Task.Delay(25);
                }
            }
        }

        public void Start()
        {
            var start = new ProcessStartInfo(Mosquitto) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(Config);
            _process = Process.Start(start);
            _process!.ErrorDataReceived += (_, _) => { };
            _process.OutputDataReceived += (_, _) => { };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
        }

        public async Task StopAsync()
        {
            if (_process is { } process)
            {
                process.Kill();
                await process.WaitForExitAsync();
                process.Dispose();
                _process = null;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
