// SPDX-License-Identifier: MIT
#pragma once

#include "services/stepexecutor.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;

// The WAF step's editor (issue 16, finding 3): the IP set picked from list-ip-sets (combo `wafIpSet`), its current
// list as get-ip-set reads it (`wafCurrent`: tick an entry to remove it), the addresses to add (`wafAdd`: the
// diagnosis's offenders and what was typed, ticked to add; `wafAddEntry` + `wafAddButton` for free entry, checked
// as CIDRs, the reason in `wafAddReason`) and the list it makes (`wafSummary`). Nothing already in the set is
// dropped unless ticked. Holds no service: the wizard asks the executor and gives the answers here. GUI thread.
class IpSetEditor : public QWidget {
    Q_OBJECT
public:
    explicit IpSetEditor(QWidget* parent = nullptr);

    // The sets to pick from (error: why there are none). One set alone is picked at once.
    void setSets(const QList<IpSetSummary>& sets, const QString& error = {});
    // The chosen set's addresses (error: why they could not be read); the ticks to remove are cleared.
    void setCurrent(const QString& id, const QStringList& addresses, const QString& error = {});
    // Addresses the diagnosis found ("203.0.113.7/32", top first), offered unticked; source says where from.
    void setOffered(const QStringList& addresses, const QString& source = {});
    // Free entry: a CIDR (a bare address becomes /32 or /128), added ticked; false with reason() when refused.
    bool addTyped(const QString& text);
    // Ticks an offered or typed address to add (false when it is not offered).
    bool setAdding(const QString& address, bool add);
    // Ticks a current address to remove (false when the set does not hold it).
    bool setRemoving(const QString& address, bool remove);
    bool chooseSet(const QString& name); // by name; false when there is no such set

    QString selectedId() const;
    QString selectedName() const;
    QStringList current() const { return m_current; }
    bool currentKnown() const { return m_currentKnown; }
    QStringList toAdd() const;
    QStringList toRemove() const;
    QStringList after() const; // the list the update would write (from the list as last read)
    QString problem() const; // why Run cannot start yet: no set, the list not read, nothing chosen; empty when it can
    QString reason() const; // the last refused free entry

Q_SIGNALS:
    void setChosen(const QString& name, const QString& id); // read its list (readIpSetAddresses)
    void changed();

private:
    void refreshSummary();
    void addCandidate(const QString& address, const QString& label, bool ticked);

    QComboBox* m_sets;
    QListWidget* m_currentList;
    QListWidget* m_addList;
    QLineEdit* m_entry;
    QPushButton* m_addButton;
    QLabel* m_reason;
    QLabel* m_summary;
    QLabel* m_currentLabel;
    QStringList m_current;
    bool m_currentKnown = false;
    QString m_setsError;
    QString m_currentError;
};
