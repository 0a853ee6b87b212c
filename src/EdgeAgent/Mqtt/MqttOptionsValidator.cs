using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Mqtt;

// Source-generated (no reflection at start-up): checks the DataAnnotations of MqttOptions and its IValidatableObject rules.
[OptionsValidator]
internal sealed partial class MqttOptionsValidator : IValidateOptions<MqttOptions>;
