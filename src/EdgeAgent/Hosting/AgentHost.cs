using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Delivery;
using EdgeAnpr.Agent.Detection;
using EdgeAnpr.Agent.Hardware;
using EdgeAnpr.Agent.Inference;
using EdgeAnpr.Agent.Mqtt;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Recognition;
using EdgeAnpr.Agent.Status;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Systemd;
using EdgeAnpr.Agent.Tracking;
using EdgeAnpr.Agent.Watchlist;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Hosting;

/// <summary>Builds the agent's host. <see cref="AddPipeline"/> reads as the pipeline's table of contents.</summary>
internal static class AgentHost
{
    /// <summary>SIGTERM to exit, ffmpeg children included, well inside systemd's stop timeout.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(4);

    public static IHost Build(IConfiguration configuration, AgentRun run, Action<IServiceCollection>? configureServices = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSingleton<IHostLifetime, ConsoleLifetime>();
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Logging.AddConfiguration(configuration.GetSection("Logging"));
        builder.Logging.AddConsole(o =>
        {
            // stdout is for reads and JSON; logs go to stderr (the journal under systemd).
            o.LogToStandardErrorThreshold = LogLevel.Trace;

            // systemd sets JOURNAL_STREAM when stderr goes to the journal: the systemd format then starts each line
            // with its syslog priority (<6> information, <4> warning, <3> error), so `journalctl -p warning` finds
            // the problems. Set here and nowhere else: AddSimpleConsole would set the simple format back.
            o.FormatterName = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is null ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Systemd;
        });
        builder.Services.Configure<SimpleConsoleFormatterOptions>(o => o.SingleLine = true);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(run);
        builder.Services.AddAgentOptions(configuration);
        builder.Services.AddPipeline(configuration, run);
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>
    /// Runs the host to its end and returns the exit code. A part that cannot start (a model, the database, the GPIO
    /// chip, the MQTT library, a key file) fails the run with its one-line message instead of a stack trace.
    /// </summary>
    public static async Task RunAsync(IHost host, AgentRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(run);
        try
        {
            await host.RunAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is InferenceException or StorageException or GpioException or MqttException or ConfigurationException or OptionsValidationException)
        {
            run.Fail(ExitCodes.Failure, ex.Message);
        }
    }

    /// <summary>
    /// The stages of one camera, in pipeline order. Hosted services start in the order registered and stop in reverse,
    /// so the pipeline, registered last, starts after the outbox, the link and the watchlist and stops before them.
    /// </summary>
    private static IServiceCollection AddPipeline(this IServiceCollection services, IConfiguration configuration, AgentRun run)
    {
        services.AddSingleton<PipelineStats>();
        services.AddCapture();
        services.AddDetection();
        services.AddPlateReaders();
        services.AddSingleton(sp => new PlateTracker(
            sp.GetRequiredService<IOptions<TrackingOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => new PassQueue());
        if (run.Matches)
        {
            services.AddStorage();
            services.AddMqtt(configuration);
            services.AddWatchlist(configuration);
        }

        if (run.Mode == AgentMode.Run)
        {
            // Relay, LED and loop detector belong to the live camera; a replay must not pulse the beacon.
            services.AddHardware(configuration);
            services.AddHostedService(sp =>
            {
                var capture = sp.GetRequiredService<CaptureService>();
                var stats = sp.GetRequiredService<PipelineStats>();
                var transport = sp.GetService<MqttTransport>();
                return new StatusLedService(
                    sp.GetService<StatusLed>(),
                    () => new BoxCondition(stats.FramesProcessed > 0, capture.Status.State == CaptureState.Running, transport is null || transport.Status.IsConnected),
                    sp.GetRequiredService<TimeProvider>());
            });
            services.AddStatusEndpoint();
        }

        if (run.Matches)
        {
            services.AddDelivery();
        }

        services.AddSingleton(sp => new FrameProcessor(
            sp.GetRequiredService<FrameQueue>(),
            sp.GetRequiredService<PipelineStats>(),
            sp.GetRequiredService<DetectionStage>(),
            sp.GetRequiredService<PlateReaders>(),
            sp.GetRequiredService<PlateTracker>(),
            sp.GetRequiredService<PassQueue>(),
            sp.GetService<LoopDetector>() is { } loop ? loop.VehiclePresentAt : null,
            sp.GetRequiredService<ILogger<FrameProcessor>>())
        {
            Liveness = sp.GetRequiredService<PipelineLiveness>().Frames,
            Tap = sp.GetService<FrameTap>(),
        });
        services.AddSingleton(sp => new PassProcessor(
            sp.GetRequiredService<PassQueue>(),
            sp.GetRequiredService<PipelineStats>(),
            sp.GetService<WatchlistMatcher>(),
            sp.GetService<DeliveryService>(),
            sp.GetService<HitEventFactory>(),
            sp.GetService<HitSignal>(),
            sp.GetServices<IPipelineObserver>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PassProcessor>>())
        {
            Liveness = sp.GetRequiredService<PipelineLiveness>().Passes,
        });
        services.AddHostedService<PipelineService>();
        services.AddSystemdNotify();
        return services;
    }

    private static IServiceCollection AddCapture(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            // A recording read at full speed must lose no frame; a camera (or a paced recording) drops the oldest.
            var camera = sp.GetRequiredService<IOptions<CameraOptions>>().Value;
            var recording = !CameraSource.Parse(camera.Source).IsLive && !camera.Pace;
            return new FrameQueue(
                sp.GetRequiredService<IOptions<CaptureOptions>>().Value.QueueCapacity,
                recording ? FrameQueueFullMode.Wait : FrameQueueFullMode.DropOldest);
        });
        services.AddSingleton(sp =>
        {
            var camera = sp.GetRequiredService<IOptions<CameraOptions>>().Value;
            return new CaptureService(
                CameraSource.Parse(camera.Source),
                sp.GetRequiredService<IOptions<CaptureOptions>>().Value,
                camera.Pace,
                sp.GetRequiredService<FrameQueue>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<CaptureService>>())
            {
                SuperviseLiveSources = sp.GetRequiredService<AgentRun>().Mode == AgentMode.Run,
                Liveness = sp.GetRequiredService<PipelineLiveness>().Capture,
            };
        });
        return services;
    }
}
