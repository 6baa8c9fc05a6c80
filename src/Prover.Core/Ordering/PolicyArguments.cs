namespace Prover.Core.Ordering;

/// <summary>The <c>name=value</c> list of a policy string while it is being parsed.</summary>
internal sealed class PolicyArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public PolicyArguments(string text, string policyId)
    {
        Text = text;
        PolicyId = policyId;
    }

    public string Text { get; }

    public string PolicyId { get; }

    public void ReadList(string list)
    {
        if (list.Trim().Length == 0)
        {
            throw Error(PolicyFormatError.Malformed, "':' must be followed by name=value parameters.");
        }

        foreach (var raw in list.Split(','))
        {
            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            var name = (eq < 0 ? raw : raw[..eq]).Trim();
            if (name.Length == 0)
            {
                throw Error(PolicyFormatError.Malformed, "empty parameter; expected name=value separated by commas.");
            }

            if (eq < 0)
            {
                throw Error(PolicyFormatError.Malformed, $"parameter '{name}' has no value; expected {name}=value.");
            }

            if (!_values.TryAdd(name, raw[(eq + 1)..].Trim()))
            {
                throw Error(PolicyFormatError.DuplicateParameter, $"parameter '{name}' is given twice.");
            }

            _order.Add(name);
        }
    }

    /// <summary>The value of a parameter, or null when it was not given.</summary>
    public string? Optional(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) =>
        Optional(name) ?? throw Error(PolicyFormatError.MissingParameter, $"policy {PolicyId} needs parameter '{name}'.");

    public PolicyFormatException BadValue(string name, string value, string expected, Exception? inner = null) =>
        Error(PolicyFormatError.BadValue, $"bad value '{value}' for parameter '{name}': expected {expected}.", inner);

    /// <summary>Whether the text names the parameter.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>Rejects any given parameter that the policy does not take.</summary>
    public void EnsureOnly(IReadOnlyList<string> accepted)
    {
        foreach (var name in _order)
        {
            if (!accepted.Contains(name))
            {
                var takes = accepted.Count == 0 ? "it takes no parameters" : "it takes " + string.Join(", ", accepted);
                throw Error(PolicyFormatError.UnknownParameter, $"unknown parameter '{name}' for policy {PolicyId}; {takes}.");
            }
        }
    }

    private PolicyFormatException Error(PolicyFormatError error, string problem, Exception? inner = null) =>
        new(Text, error, problem, inner);
}
