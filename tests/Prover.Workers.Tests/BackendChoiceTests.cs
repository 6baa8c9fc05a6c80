using Prover.Proving;
using Prover.Proving.Native;

namespace Prover.Workers.Tests;

/// <summary>
/// The pool's backend is a choice in its configuration, native by default: the native backend proves
/// batches the inbox (whose verifier came from snarkjs' setup) accepts, and the pool disposes the
/// backend it was handed when it stops, or when it fails to start.
/// </summary>
[Collection(PoolCollection.Name)]
public sealed class BackendChoiceTests(PoolFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_pool_configured_with_the_default_backend_proves_natively_finalizes_and_disposes_it_on_shutdown()
    {
        var (chain, deployment) = await fixture.DeployAsync();
        var created = ProvingSetup.Create(CeremonySource.Development);
        Assert.IsType<NativeBackend>(created.Backend);
        Assert.True(created.OwnsBackend);
        var backend = new DisposalCounting(created.Backend);
        var witnesses = new TestLog(deployment.ChainId, deployment.Inbox).Next(2);

        await using (var pool = await StartAsync(chain, created with { Backend = backend }))
        {
            foreach (var witness in witnesses)
            {
                await pool.Store.AddAsync(witness, pool.Runtime.NowMs, default);
            }

            await pool.ReconcileAsync(default);
            await pool.WaitUntilSettledAsync(2, TimeSpan.FromMinutes(3), default);

            Assert.All(await pool.Store.ListAsync(default), r => Assert.Equal(BatchState.Finalized, r.State));
            Assert.Equal(2, pool.Metrics.Proofs);
            Assert.Equal(0, backend.Disposals);
        }

        var state = await chain.Inbox.GetStateAsync(default);
        Assert.Equal(2UL, state.NextBatchIndex);
        Assert.Equal(witnesses[^1].NewHead, state.Head);
        Assert.Equal(1, backend.Disposals);
    }

    [Fact]
    public async Task A_pool_that_does_not_start_disposes_the_backend_it_was_to_own_and_leaves_a_lent_one_alone()
    {
        var (chain, _) = await fixture.DeployAsync();
        var owned = new DisposalCounting(ProvingBackends.Create(BackendKind.Native));
        var lent = new DisposalCounting(ProvingBackends.Create(BackendKind.Native));

        await Assert.ThrowsAsync<PoolConfigurationException>(() => StartAsync(chain, new ProvingSetup(owned, CeremonySource.Development, fixture.Backend.CircuitsDirectory) { OwnsBackend = true }, lease: TimeSpan.FromMilliseconds(1)));
        await Assert.ThrowsAsync<PoolConfigurationException>(() => StartAsync(chain, new ProvingSetup(lent, CeremonySource.Development, fixture.Backend.CircuitsDirectory), lease: TimeSpan.FromMilliseconds(1)));

        Assert.Equal(1, owned.Disposals);
        Assert.Equal(0, lent.Disposals);
        lent.Dispose();
    }

    private Task<ProverPool> StartAsync(Prover.Workers.PoolChain chain, ProvingSetup proving, TimeSpan? lease = null) =>
        ProverPool.StartAsync(
            new ProverPoolOptions
            {
                Storage = new PoolStorage.Sqlite(_dir.Combine("pool")),
                WorkDirectory = _dir.Combine("work"),
                Workers = 1,
                Lease = lease ?? TimeSpan.FromSeconds(15),
                ReconcileInterval = TimeSpan.FromMilliseconds(500),
                RetryBaseDelay = TimeSpan.FromMilliseconds(500),
            },
            proving,
            chain,
            fixture.VerificationKeyHash,
            loggerFactory: null,
            time: null,
            default);

    /// <summary>A real backend, passed through, that counts how often it is disposed (and disposes the real one each time).</summary>
    private sealed class DisposalCounting(IProvingBackend inner) : IProvingBackend, IDisposable
    {
        public int Disposals { get; private set; }

        public string Name => inner.Name;

        public Task<CompiledCircuit> CompileAsync(string circuitFile, string outputDirectory, CancellationToken cancellationToken) =>
            inner.CompileAsync(circuitFile, outputDirectory, cancellationToken);

        public Task<CircuitArtifacts> SetupAsync(CompiledCircuit circuit, CeremonySource ceremony, string outputDirectory, CancellationToken cancellationToken) =>
            inner.SetupAsync(circuit, ceremony, outputDirectory, cancellationToken);

        public Task ComputeWitnessAsync(CompiledCircuit circuit, string inputFile, string witnessFile, CancellationToken cancellationToken) =>
            inner.ComputeWitnessAsync(circuit, inputFile, witnessFile, cancellationToken);

        public Task<ProofFiles> ProveAsync(CircuitArtifacts artifacts, string witnessFile, string outputDirectory, CancellationToken cancellationToken) =>
            inner.ProveAsync(artifacts, witnessFile, outputDirectory, cancellationToken);

        public Task<bool> VerifyAsync(string verificationKeyFile, ProofFiles proof, CancellationToken cancellationToken) =>
            inner.VerifyAsync(verificationKeyFile, proof, cancellationToken);

        public Task ExportSolidityVerifierAsync(CircuitArtifacts artifacts, string outputFile, CancellationToken cancellationToken) =>
            inner.ExportSolidityVerifierAsync(artifacts, outputFile, cancellationToken);

        public void Dispose()
        {
            Disposals++;
            (inner as IDisposable)?.Dispose();
        }
    }
}
