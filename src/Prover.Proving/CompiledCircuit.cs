namespace Prover.Proving;

/// <summary>A compiled circuit: its constraint system, its witness generator and their sizes.</summary>
/// <param name="Name">The circuit's name (its source file name without extension).</param>
/// <param name="SourceFile">The circuit source it was compiled from.</param>
/// <param name="ConstraintSystemFile">The constraint system (R1CS).</param>
/// <param name="WitnessGeneratorFile">The program that computes a witness from an input (circom: WebAssembly).</param>
/// <param name="Constraints">The number of constraints.</param>
/// <param name="PublicInputs">Public input signals.</param>
/// <param name="PublicOutputs">Public output signals (public like inputs, but computed by the circuit).</param>
/// <param name="PrivateInputs">Private input signals.</param>
public sealed record CompiledCircuit(
    string Name,
    string SourceFile,
    string ConstraintSystemFile,
    string WitnessGeneratorFile,
    int Constraints,
    int PublicInputs,
    int PublicOutputs,
    int PrivateInputs)
{
    /// <summary>
    /// The smallest power of two whose domain holds the circuit: <c>2^power ≥ constraints + public signals + 1</c>
    /// (Groth16 adds one constraint per public signal and one for the constant wire). A powers-of-tau
    /// ceremony must be at least this big.
    /// </summary>
    public int RequiredPower
    {
        get
        {
            long size = (long)Constraints + PublicInputs + PublicOutputs + 1;
            int power = 1;
            while ((1L << power) < size)
            {
                power++;
            }

            return power;
        }
    }
}
