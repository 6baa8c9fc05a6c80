using Prover.Crypto.Field;

namespace Prover.Core.Ordering;

/// <summary>One parameter of a policy, in both of its forms.</summary>
/// <param name="Name">The name used in the policy string, e.g. <c>delayMs</c>.</param>
/// <param name="Value">The canonical text of the value, as <see cref="OrderingPolicy.ToString"/> writes it.</param>
/// <param name="Field">The value as the field element that enters the domain's parameter commitment.</param>
public readonly record struct PolicyParameter(string Name, string Value, Fr Field);
