using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Pipeline;
using EdgeAnpr.Agent.Systemd;
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
            o.FormatterName = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is null ? ConsoleFormatterNames.Simple : ConsoleFormatterNames.Systemd;
        });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(run);
        builder.Services.AddAgentOptions(configuration);
        builder.Services.AddPipeline();
        configureServices?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>The stages of one camera, in pipeline order.</summary>
    private static IServiceCollection AddPipeline(this IServiceCollection services)
    {
        services.AddSingleton<PipelineStats>();
        services.AddCapture();
        services.AddSingleton<FrameProcessor>();
        services.AddHostedService<PipelineService>();
        services.AddHostedService<SystemdNotifyService>();
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
            };
        });
        return services;
    }
}
