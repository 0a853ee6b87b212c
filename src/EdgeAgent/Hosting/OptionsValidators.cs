using EdgeAnpr.Agent.Capture;
using EdgeAnpr.Agent.Storage;
using EdgeAnpr.Agent.Systemd;
using EdgeAnpr.Agent.Tracking;
using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Hosting;

// Source-generated validators (no reflection at start-up); each checks the DataAnnotations of its options class.
[OptionsValidator]
internal sealed partial class SiteOptionsValidator : IValidateOptions<SiteOptions>;

[OptionsValidator]
internal sealed partial class CameraOptionsValidator : IValidateOptions<CameraOptions>;

[OptionsValidator]
internal sealed partial class CaptureOptionsValidator : IValidateOptions<CaptureOptions>;

[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;

[OptionsValidator]
internal sealed partial class TrackingOptionsValidator : IValidateOptions<TrackingOptions>;

[OptionsValidator]
internal sealed partial class WatchdogOptionsValidator : IValidateOptions<WatchdogOptions>;
