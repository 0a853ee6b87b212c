using Microsoft.Extensions.Options;

namespace EdgeAnpr.Agent.Watchlist;

// Source-generated (no reflection at start-up): the DataAnnotations of WatchlistOptions and its IValidatableObject rules
// (key files readable and P-256 public keys, priority tables well formed).
[OptionsValidator]
internal sealed partial class WatchlistOptionsValidator : IValidateOptions<WatchlistOptions>;
