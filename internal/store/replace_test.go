package store

import "context"

// Tests set an instance's derived rows without a step: each reads what is
// stored and writes over it as a step's Set* calls do.

func (tx *Tx) ReplaceTimers(ctx context.Context, instanceID int64, timers []Timer) error {
	d, err := tx.DerivedRows(ctx, instanceID)
	if err != nil {
		return err
	}
	return tx.SetTimers(ctx, instanceID, d.Timers, timers)
}

func (tx *Tx) ReplaceSubscriptions(ctx context.Context, instanceID int64, subs []Subscription) error {
	d, err := tx.DerivedRows(ctx, instanceID)
	if err != nil {
		return err
	}
	return tx.SetSubscriptions(ctx, instanceID, d.Subscriptions, subs)
}

func (tx *Tx) SetInstanceMetadata(ctx context.Context, instanceID int64, values map[string]string) error {
	d, err := tx.DerivedRows(ctx, instanceID)
	if err != nil {
		return err
	}
	return tx.SetMetadata(ctx, instanceID, d.Metadata, values)
}
