using Prover.Core.Ethereum;
using Prover.Crypto.Field;
using Prover.Core.Ordering;
using static Prover.Core.Tests.Ordering.TestEntries;

namespace Prover.Core.Tests.Ordering;

public class PolicyParserTests
{
    private const string Controller = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"; // EIP-55 test vector

    public static TheoryData<string> CanonicalForms =>
    [
        "fcfs",
        "priority-fee",
        $"timeboost:controller={Controller},delayMs=200",
        $"timeboost:controller={Controller},delayMs=0",
        "shuffle",
    ];

    [Theory]
    [MemberData(nameof(CanonicalForms))]
    public void Canonical_policy_strings_parse_and_print_back_unchanged(string text)
    {
        var policy = OrderingPolicy.Parse(text);
        Assert.Equal(text, policy.ToString());
        Assert.Equal(policy, OrderingPolicy.Parse(policy.ToString()));
    }

    [Fact]
    public void Parsing_fills_in_default_parameters()
    {
        Assert.Equal(new TimeboostPolicy(EthAddress.Parse(Controller), 200), OrderingPolicy.Parse($"timeboost:controller={Controller}"));
        Assert.Same(ShufflePolicy.Instance, OrderingPolicy.Parse("shuffle"));
        Assert.Same(FcfsPolicy.Instance, OrderingPolicy.Parse("fcfs"));
    }

    [Fact]
    public void Parsing_accepts_any_parameter_order_spacing_and_address_case_and_prints_the_canonical_form()
    {
        var policy = OrderingPolicy.Parse($" timeboost : delayMs = 0250 , controller = {Controller.ToLowerInvariant()} ");
        Assert.Equal($"timeboost:controller={Controller},delayMs=250", policy.ToString());
    }

    [Theory]
    [InlineData("shuffle:beacon=1")]
    [InlineData("shuffle:beacon=0")]
    [InlineData("shuffle: beacon = 0xff ")]
    public void A_shuffle_beacon_parameter_is_refused_because_the_inbox_draws_each_batchs_beacon(string text)
    {
        var e = Assert.Throws<PolicyFormatException>(() => OrderingPolicy.Parse(text));
        Assert.Equal(PolicyFormatError.UnknownParameter, e.Error);
        Assert.Contains("the shuffle takes no beacon parameter", e.Problem, StringComparison.Ordinal);
        Assert.Contains("draws each batch's beacon on chain", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Policy_parameters_come_in_documented_order_with_their_field_elements()
    {
        var policy = new TimeboostPolicy(Alice, 300);
        Assert.Equal(
            [new PolicyParameter("controller", Alice.ToString(), Alice.ToField()), new PolicyParameter("delayMs", "300", Fr.FromUInt64(300))],
            policy.Parameters);
        Assert.Empty(ShufflePolicy.Instance.Parameters);
        Assert.Empty(FcfsPolicy.Instance.Parameters);
        Assert.Empty(PriorityFeePolicy.Instance.Parameters);
    }

    [Theory]
    [InlineData("", PolicyFormatError.Malformed, "no policy id")]
    [InlineData(":beacon=1", PolicyFormatError.Malformed, "no policy id")]
    [InlineData("fifo", PolicyFormatError.UnknownPolicy, "unknown policy 'fifo'; known policies are fcfs, priority-fee, timeboost, shuffle")]
    [InlineData("FCFS", PolicyFormatError.UnknownPolicy, "unknown policy 'FCFS'")]
    [InlineData("fcfs:delayMs=1", PolicyFormatError.UnknownParameter, "unknown parameter 'delayMs' for policy fcfs; it takes no parameters")]
    [InlineData("priority-fee:x=1", PolicyFormatError.UnknownParameter, "unknown parameter 'x' for policy priority-fee")]
    [InlineData("timeboost:controler=0x1111111111111111111111111111111111111111", PolicyFormatError.UnknownParameter, "unknown parameter 'controler' for policy timeboost; it takes controller, delayMs")]
    [InlineData("timeboost", PolicyFormatError.MissingParameter, "policy timeboost needs parameter 'controller'")]
    [InlineData("timeboost:delayMs=5", PolicyFormatError.MissingParameter, "needs parameter 'controller'")]
    [InlineData("timeboost:controller=0x1234", PolicyFormatError.BadValue, "bad value '0x1234' for parameter 'controller'")]
    [InlineData("timeboost:controller=0x1111111111111111111111111111111111111111,delayMs=-1", PolicyFormatError.BadValue, "bad value '-1' for parameter 'delayMs'")]
    [InlineData("timeboost:controller=0x1111111111111111111111111111111111111111,delayMs=18446744073709551616", PolicyFormatError.BadValue, "for parameter 'delayMs'")]
    [InlineData("timeboost:controller=0x1111111111111111111111111111111111111111,delayMs=", PolicyFormatError.BadValue, "bad value '' for parameter 'delayMs'")]
    [InlineData("shuffle:seed=1", PolicyFormatError.UnknownParameter, "unknown parameter 'seed' for policy shuffle; it takes no parameters")]
    [InlineData("shuffle:beacon=xyz", PolicyFormatError.UnknownParameter, "the shuffle takes no beacon parameter")]
    [InlineData("shuffle:beacon=1,beacon=2", PolicyFormatError.DuplicateParameter, "parameter 'beacon' is given twice")]
    [InlineData("shuffle:", PolicyFormatError.Malformed, "':' must be followed by name=value parameters")]
    [InlineData("shuffle:beacon", PolicyFormatError.Malformed, "parameter 'beacon' has no value")]
    [InlineData("shuffle:beacon=1,", PolicyFormatError.Malformed, "empty parameter")]
    public void Bad_policy_strings_are_refused_with_a_specific_error(string text, PolicyFormatError error, string message)
    {
        var e = Assert.Throws<PolicyFormatException>(() => OrderingPolicy.Parse(text));
        Assert.Equal(error, e.Error);
        Assert.Contains(message, e.Problem, StringComparison.Ordinal);
        Assert.Equal(text, e.Text);
        Assert.Contains($"'{text}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_reports_the_error_instead_of_throwing()
    {
        Assert.False(OrderingPolicy.TryParse("fifo", out var policy, out var error));
        Assert.Null(policy);
        Assert.Equal(PolicyFormatError.UnknownPolicy, error!.Error);
        Assert.True(OrderingPolicy.TryParse("fcfs", out policy, out error));
        Assert.Same(FcfsPolicy.Instance, policy);
        Assert.Null(error);
    }

    [Fact]
    public void Policies_with_equal_parameters_are_equal_and_different_ones_are_not()
    {
        Assert.Equal(new TimeboostPolicy(Alice, 5), new TimeboostPolicy(Alice, 5));
        Assert.NotEqual(new TimeboostPolicy(Alice, 5), new TimeboostPolicy(Bob, 5));
        Assert.NotEqual<OrderingPolicy>(FcfsPolicy.Instance, PriorityFeePolicy.Instance);
    }
}
