using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Hardware;

// Source-generated (no reflection at start-up): the DataAnnotations of GpioOptions and its parts, and its IValidatableObject rules.
[OptionsValidator]
internal sealed partial class GpioOptionsValidator : IValidateOptions<GpioOptions>;
