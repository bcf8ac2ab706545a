//! Small numerical helpers shared by the models.

/// Inverse of the standard normal CDF.
///
/// Algorithm AS 241 (`PPND16`) of Wichura, M. J. (1988), "The Percentage Points of the Normal
/// Distribution", *Applied Statistics* 37(3), 477–484: relative accuracy about 1e-16.
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) || p.is_nan() {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        let num = ((((((2509.080_928_730_122_7 * r + 33430.575_583_588_128) * r
            + 67265.770_927_008_700)
            * r
            + 45921.953_931_549_871)
            * r
            + 13731.693_765_509_461)
            * r
            + 1971.590_950_306_551_3)
            * r
            + 133.141_667_891_784_38)
            * r
            + 3.387_132_872_796_366_5;
        let den = ((((((5226.495_278_852_545_4 * r + 28729.085_735_721_942) * r
            + 39307.895_800_092_710)
            * r
            + 21213.794_301_586_595)
            * r
            + 5394.196_021_424_751_1)
            * r
            + 687.187_007_492_057_91)
            * r
            + 42.313_330_701_600_911)
            * r
            + 1.0;
        return q * num / den;
    }
    let mut r = if q < 0.0 { p } else { 1.0 - p };
    r = (-r.ln()).sqrt();
    let val = if r <= 5.0 {
        let r = r - 1.6;
        let num = ((((((7.745_450_142_783_414_1e-4 * r + 0.022_723_844_989_269_184) * r
            + 0.241_780_725_177_450_61)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691_4)
            * r
            + 4.630_337_846_156_545_3)
            * r
            + 1.423_437_110_749_683_5;
        let den = ((((((1.050_750_071_644_416_9e-9 * r + 5.475_938_084_995_344_9e-4) * r
            + 0.015_198_666_563_616_457)
            * r
            + 0.148_103_976_427_480_07)
            * r
            + 0.689_767_334_985_100_05)
            * r
            + 1.676_384_830_183_803_8)
            * r
            + 2.053_191_626_637_758_8)
            * r
            + 1.0;
        num / den
    } else {
        let r = r - 5.0;
        let num = ((((((2.010_334_399_292_288_1e-7 * r + 2.711_555_568_743_487_6e-5) * r
            + 0.001_242_660_947_388_078_4)
            * r
            + 0.026_532_189_526_576_123)
            * r
            + 0.296_560_571_828_504_89)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114_4)
            * r
            + 6.657_904_643_501_103_3;
        let den = ((((((2.044_263_103_389_939_7e-15 * r + 1.421_511_758_316_445_9e-7) * r
            + 1.846_318_317_510_054_8e-5)
            * r
            + 7.868_691_311_456_132_6e-4)
            * r
            + 0.014_875_361_290_850_615)
            * r
            + 0.136_929_880_922_735_81)
            * r
            + 0.599_832_206_555_887_94)
            * r
            + 1.0;
        num / den
    };
    if q < 0.0 { -val } else { val }
}

/// The two-sided multiplier of a central interval at `level` percent (95 -> 1.959963984540054).
pub fn z_for_level(level: f64) -> f64 {
    normal_quantile(0.5 + level / 200.0)
}

/// Mean of the finite values; NaN when there are none.
pub fn finite_mean(xs: &[f64]) -> f64 {
    let (sum, n) = xs
        .iter()
        .filter(|x| x.is_finite())
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_matches_published_values() {
        // Values from Wichura (1988), Table 1, and R's qnorm.
        let cases = [
            (0.975, 1.959_963_984_540_054),
            (0.5, 0.0),
            (0.25, -0.674_489_750_196_081_7),
            (0.001, -3.090_232_306_167_813_5),
            (1e-10, -6.361_340_902_404_056),
            (0.9, 1.281_551_565_544_600_5),
        ];
        for (p, want) in cases {
            let got = normal_quantile(p);
            assert!((got - want).abs() <= 1e-14 * want.abs().max(1.0), "p={p}: {got} vs {want}");
        }
        assert!((z_for_level(80.0) - 1.281_551_565_544_600_5).abs() < 1e-14);
        assert!(normal_quantile(1.5).is_nan());
    }
}
