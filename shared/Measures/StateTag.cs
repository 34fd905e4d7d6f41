namespace Lambda.Shared.Measures;

/// <summary>The second byte of every serialised measure state: which state layout follows.</summary>
internal enum StateTag : byte
{
    Count = 1,
    ExactSum = 2,
    DoubleSum = 3,
    ExactMin = 4,
    ExactMax = 5,
    DoubleMin = 6,
    DoubleMax = 7,
    ExactAvg = 8,
    DoubleAvg = 9,
    Distinct = 10,
    Quantiles = 11,
}
