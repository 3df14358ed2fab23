/// Everything that determines the rotation angles of one request, named after HF `transformers` config keys.
public struct RoPEParameters: Sendable, Hashable {
    /// The default base `rope_theta` = 10000: RoFormer's theta_i = 10000^(-2(i-1)/d) (Su et al. 2021), as in HF
    /// `transformers` configs.
    public static let defaultTheta: Double = 10000

    /// The base `b` (`rope_theta`, default `defaultTheta`) of the geometric frequency ladder
    /// inv_freq[j] = b^(-2j/r); positive and finite.
    public var theta: Double = RoPEParameters.defaultTheta
    /// How many leading features are rotated (`rotary_dim` / `partial_rotary_factor`).
    public var rotaryDimension: RotaryDimension = .full
    /// Which features form a rotated pair.
    public var layout: RotationLayout = .half
    /// The HF `rope_scaling` variant that reshapes the frequencies for longer contexts.
    public var scaling: RoPEScaling = .none
    /// Whether cos and sin are multiplied by the scaling's attention factor (yarn, longrope), as HF does.
    public var applyAttentionScaling: Bool = true
    /// M-RoPE's assignment of frequency slots to the t, h, w position axes (`mrope_section`); nil for plain RoPE.
    public var mropeSection: MRoPESection? = nil

    /// The HF defaults: base `defaultTheta`, full rotary dimension, half layout, no scaling, attention scaling
    /// applied.
    public init() {}
}
