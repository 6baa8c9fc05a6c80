using FsCheck.Xunit;
using Nethereum.Util;
using Prover.Core.Ethereum;

namespace Prover.Core.Tests.Ethereum;

/// <summary>The EIP-55 checksummed form against the EIP's own examples and Nethereum's implementation.</summary>
public class EthAddressTests
{
    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("0xde709f2102306220921060314715629080e2fb77")]
    public void Prints_the_eip55_examples(string expected)
    {
        Assert.Equal(expected, EthAddress.Parse(expected.ToLowerInvariant()).ToString());
    }

    [Property(MaxTest = 500)]
    public void Prints_what_nethereum_prints(byte[] seed)
    {
        var bytes = new byte[20];
        seed.AsSpan(0, Math.Min(seed.Length, 20)).CopyTo(bytes);
        var address = new EthAddress(bytes);
        Assert.Equal(new AddressUtil().ConvertToChecksumAddress(Convert.ToHexStringLower(bytes)), address.ToString());
        Assert.Equal(address, EthAddress.Parse(address.ToString()));
    }
}
