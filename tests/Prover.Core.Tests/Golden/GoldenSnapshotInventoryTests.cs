namespace Prover.Core.Tests.Golden;

/// <summary>
/// The snapshot folder and the golden cases agree: no snapshot is left over from a renamed or removed
/// case, and in CI every case's snapshot is committed (Snapshooter alone would create it and pass).
/// </summary>
public class GoldenSnapshotInventoryTests
{
    [Fact]
    public void Every_snapshot_file_belongs_to_a_golden_case_and_in_CI_every_case_has_one()
    {
        var expected = GoldenCase.AllSnapshotNames().Select(n => n + ".snap").ToHashSet(StringComparer.Ordinal);
        var present = Directory.Exists(GoldenSnapshots.SnapshotFolder)
            ? Directory.EnumerateFiles(GoldenSnapshots.SnapshotFolder).Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : [];

        // .editorconfig keeps the byte-order mark Snapshooter writes; anything else is a leftover.
        Assert.Empty(present.Except(expected).Where(f => f != ".editorconfig").Order(StringComparer.Ordinal));
        if (GoldenSnapshots.IsStrict())
        {
            Assert.Empty(expected.Except(present).Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [InlineData(null, null, false)]
    [InlineData("", null, false)]
    [InlineData("false", null, false)]
    [InlineData("0", null, false)]
    [InlineData("true", null, true)]
    [InlineData("True", null, true)]
    [InlineData("1", null, true)]
    [InlineData(null, "on", true)]
    [InlineData(null, "true", true)]
    [InlineData(null, "off", false)]
    public void A_missing_snapshot_fails_when_CI_or_Snapshooter_strict_mode_is_set(string? ci, string? strict, bool expected)
    {
        var environment = new Dictionary<string, string?> { ["CI"] = ci, ["SNAPSHOOTER_STRICT_MODE"] = strict };
        Assert.Equal(expected, GoldenSnapshots.IsStrict(name => environment.GetValueOrDefault(name)));
    }
}
