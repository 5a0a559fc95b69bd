package main

import (
	"math"
	"math/rand/v2"
)

// zipf draws ranks 0..n-1 with P(rank i) proportional to 1/(i+1)^theta,
// for any theta in (0, 1) as well as above (Go's rand.Zipf needs s > 1).
// It is the generator of Gray et al., "Quickly Generating Billion-Record
// Synthetic Databases" (SIGMOD 1994), which YCSB uses: rank 0 is the most
// popular.
type zipf struct {
	r                   *rand.Rand
	n                   float64
	theta, alpha, eta   float64
	zetan, halfPowTheta float64
}

func newZipf(r *rand.Rand, n int, theta float64) *zipf {
	zetan := zeta(n, theta)
	z := &zipf{r: r, n: float64(n), theta: theta, zetan: zetan,
		alpha:        1 / (1 - theta),
		halfPowTheta: 1 + math.Pow(0.5, theta)}
	z.eta = (1 - math.Pow(2/z.n, 1-theta)) / (1 - zeta(2, theta)/zetan)
	return z
}

func zeta(n int, theta float64) float64 {
	s := 0.0
	for i := 1; i <= n; i++ {
		s += 1 / math.Pow(float64(i), theta)
	}
	return s
}

// next returns the next rank.
func (z *zipf) next() int {
	u := z.r.Float64()
	uz := u * z.zetan
	switch {
	case uz < 1:
		return 0
	case uz < z.halfPowTheta:
		return 1
	}
	v := int(z.n * math.Pow(z.eta*u-z.eta+1, z.alpha))
	return min(v, int(z.n)-1)
}
